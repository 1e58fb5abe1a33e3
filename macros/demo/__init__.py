"""The demo campaign of ``kexie demo``: its data, the simulated returns and the steps."""

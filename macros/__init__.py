"""kexie (科协工作台): campaign workbooks, forms, consolidation, tallies and documents."""

__version__ = "0.1.0"

"""Apply a sheet's print layout (``macros.schema.PAGE_SETUPS``) to an openpyxl worksheet."""

from __future__ import annotations

from openpyxl.worksheet.properties import PageSetupProperties

from macros.schema import PageSetup, page_setup

FOOTER = "&A　第 &P 页，共 &N 页"  # sheet name, page x of n


def apply_page_setup(ws, setup: PageSetup | None = None, header_row: int = 1) -> None:
    """A4, orientation, fit to one page wide and the repeated header row; ``setup`` defaults
    to the schema's entry for the sheet's name (nothing happens for a sheet without one)."""
    setup = setup or page_setup(ws.title)
    if setup is None:
        return
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if setup.landscape else "portrait"
    if setup.fit_width:
        if ws.sheet_properties.pageSetUpPr is None:
            ws.sheet_properties.pageSetUpPr = PageSetupProperties()
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    if setup.repeat_header and header_row >= 1:
        ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = FOOTER

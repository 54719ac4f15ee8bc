"""The shape every daily series has: bar columns, index name and datetime resolution.

Shared by the readers (``validation``), the series container (``series``) and the splicer,
so that none of them has to import another for a constant.
"""

BAR_COLUMNS = ("open", "high", "low", "close", "volume")
INDEX_NAME = "date"
# One resolution for every series so joins and numpy views never mix units.
DATETIME_DTYPE = "datetime64[ns]"

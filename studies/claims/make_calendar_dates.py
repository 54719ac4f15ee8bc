"""Write the date lists of the calendar claims (run once; the CSV files are committed).

santa_rally.csv: December 22 of 1993-2025; sell_in_may.csv: May 1 of 1993-2026. A date
that is not a trading day maps to the next one when the claim runs (``DateList``).
"""

from pathlib import Path

HERE = Path(__file__).parent
YEARS = range(1993, 2027)  # SPY's history

if __name__ == "__main__":
    (HERE / "santa_rally.csv").write_text("date\n" + "".join(f"{y}-12-22\n" for y in YEARS if y < 2026))
    (HERE / "sell_in_may.csv").write_text("date\n" + "".join(f"{y}-05-01\n" for y in YEARS))

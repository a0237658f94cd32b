"""A self-contained HTML page of a report: the summary table, the figures embedded, the notes."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

from .summary import giveaways, summary_rows

_STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead { background: #f0f0f0; }
img { max-width: 100%; border: 1px solid #ddd; margin: 1em 0; }
.notes { color: #555; font-size: 0.85em; }
"""


def render_html(metrics: dict[str, Any], figures: list[Path], title: str = "Synthetic data report") -> str:
    """
    The report page: the [`summary_rows`] table, each PNG of `figures` embedded as base64, and the notes.

    Args:
        metrics (`dict`): The output of [`evaluate_windows`].
        figures (`list[Path]`): PNG files to embed, in order.
        title (`str`): Page title.

    Returns:
        `str`: a complete HTML document with no external resources.
    """
    header, rows = summary_rows(metrics)
    meta = metrics["meta"]
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    images = "".join(
        f'<h3>{html.escape(path.stem)}</h3><img alt="{html.escape(path.stem)}" '
        f'src="data:image/png;base64,{base64.b64encode(path.read_bytes()).decode("ascii")}">'
        for path in figures
    )
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in metrics.get("notes", []))
    found = giveaways(metrics)
    giveaway = "".join(
        f"<li><b>{html.escape(name)}</b>: {html.escape('; '.join(items))}</li>" for name, items in found.items()
    )
    giveaway = (
        f"<h2>What gave the windows away</h2><p>Medians of the statistics the two-sample classifier relied on most "
        f"(permutation importance), in the real and in each separated set:</p><ul>{giveaway}</ul>"
        if giveaway
        else ""
    )
    sources = "".join(f"<li>{html.escape(k)}: {html.escape(str(v))}</li>" for k, v in meta.get("sources", {}).items())
    consistency = (meta.get("generation") or {}).get("consistency_db")
    if consistency is not None:
        sources += (
            f"<li>generated scalograms: consistency {consistency:.1f} dB (each image against the image of the series "
            "it decodes to; below 20 dB the inverse discarded most of it)</li>"
        )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{_STYLE}</style></head>
<body>
<h1>{html.escape(title)}</h1>
<p>{meta["num_real_windows"]} real windows of {meta["window_length"]} steps;
channels {html.escape(", ".join(meta["channels"]))};
returns: {html.escape(str(meta["returns"] or "the values as given"))}.</p>
<ul>{sources}</ul>
<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
<p class="notes">↓ lower is better; * best of the candidates; classifier scores are mean ± 95% CI half-width over
repeats. C2ST: |balanced accuracy − 0.5| of a strong classifier on held-out windows (real windows split in
time-disjoint blocks), 0 = indistinguishable, 0.5 = separable; its real column is the real-vs-real floor. The real
column of the predictive score is its floor (trained and tested on real data); stylized facts are computed on
returns pooled over windows (a lag at or beyond the window length is n/a). All metrics are in metrics.json.</p>
{giveaway}
{images}
<h2>Notes</h2><ul class="notes">{notes or "<li>none</li>"}</ul>
</body></html>
"""

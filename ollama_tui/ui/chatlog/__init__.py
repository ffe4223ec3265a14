"""The chat log: a virtual view of the whole conversation on Textual's Line API.

``entries`` turns each turn into lines (cached per width and theme), ``index`` knows
where each turn's lines start, ``view`` is the widget that draws the visible lines
(with selection, the message cursor and find matches) and paces a streaming reply
with one frame clock."""

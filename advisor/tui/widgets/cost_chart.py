"""Monthly cost by model size, drawn in the terminal, the recommended size marked.

plotext (through textual-plotext) is imported here only, and this module only
by the Result screen, so the wizard starts without it.
"""

from __future__ import annotations

from textual_plotext import PlotextPlot


class CostChart(PlotextPlot):
    """A line of monthly cost (USD) per size; the recommendation is a labelled point."""

    def __init__(self, points: tuple[tuple[str, float], ...], recommended: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.points = points
        self.recommended = recommended

    def on_mount(self) -> None:
        plt = self.plt
        labels = [label for label, _ in self.points]
        xs = list(range(1, len(labels) + 1))
        ys = [cost for _, cost in self.points]
        plt.title("Monthly cost by model size (USD)")
        plt.plot(xs, ys, marker="braille")
        plt.xticks(xs, labels)
        if self.recommended in labels:
            i = labels.index(self.recommended)
            plt.scatter([xs[i]], [ys[i]], marker="@", color="green")
            top = max(ys) if ys else 1
            plt.text(f"<- recommended {self.recommended}", x=xs[i] + 0.08, y=ys[i] + top * 0.02, color="green", alignment="left")
        plt.xlim(0.5, len(xs) + 0.5)
        plt.ylim(0, max(ys) * 1.15 if ys else 1)

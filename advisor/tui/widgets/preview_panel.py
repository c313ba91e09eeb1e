"""The live side panel: the best candidate so far and its monthly cost."""

from __future__ import annotations

from textual.widgets import Static

from advisor.session import WizardSession


class PreviewPanel(Static):
    """Re-rendered after every answer change from ``session.preview()`` (cached)."""

    def show(self, session: WizardSession) -> None:
        preview = session.preview()
        if preview is None:
            todo = len(session.missing()) + len(session.problems)
            body = (
                f"[dim]The estimate appears once\nevery required answer is in\n({todo} to go).[/dim]"
                if todo else "[dim]Nothing fits these answers yet.[/dim]"
            )
        else:
            body = (
                f"Size     [b]{preview.size}[/b]\n"
                f"Hardware {preview.gpus} x {preview.gpu}\n"
                f"Monthly  [b]${preview.monthly_usd:,.0f}[/b]"
            )
            if preview.note:
                body += f"\n[dim]{preview.note}[/dim]"
        self.update(f"[b]Best so far[/b]\n\n{body}")

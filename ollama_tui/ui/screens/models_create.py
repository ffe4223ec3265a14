"""Create a model from a Modelfile, from the models screen: ask for the new model's name
and the Modelfile's path, then run the model creator, its progress on a line and a bar
under the table.

The creation runs as an app worker: going back to the chat does not stop an upload
of many gigabytes half-way; its end is told in a notification either way.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import ProgressBar

from ollama_tui.core.formatting import human_size
from ollama_tui.core.modelfile import Modelfile, ModelfileError, read_modelfile
from ollama_tui.core.ollama.errors import OllamaError
from ollama_tui.core.pulls import new_name_problem
from ollama_tui.core.sanitize import sanitize_line
from ollama_tui.services.model_creator import CreateProblem, CreateProgress
from ollama_tui.ui.context import Shared
from ollama_tui.ui.screens.confirm import TextPrompt
from ollama_tui.ui.widgets.plain import Plain

WORKER_GROUP = "models-create"
PATH_HINT = (
    "FROM a model, a GGUF file or a safetensors folder (beside the Modelfile); "
    "local files are uploaded unless the server has them · Enter creates · Esc cancels"
)


class CreationProgress(Vertical):
    """What the creation is doing (hashing, uploading, the server's status) and a bar."""

    DEFAULT_CSS = """
    CreationProgress { height: auto; margin: 0 1; }
    CreationProgress > ProgressBar { height: 1; }
    """

    def __init__(self, name: str) -> None:
        super().__init__(id="models-create-progress")
        self.model = name
        self.label = Plain(f"Creating {sanitize_line(name, 60)}…")
        self.bar = ProgressBar(show_eta=False)

    def compose(self) -> ComposeResult:
        yield self.label
        yield self.bar

    def show(self, event: CreateProgress) -> None:
        text = f"Creating {sanitize_line(self.model, 60)}: {event.describe()}"
        if event.total:
            text += f" ({human_size(event.completed)} of {human_size(event.total)})"
        self.label.update(text)
        self.bar.update(total=event.total or 1, progress=event.completed if event.total else 1)


def modelfile_problem(text: str) -> str:
    """Why the Modelfile at ``text`` cannot be used (said in the prompt), or ""."""
    if not text:
        return "Type the path of a Modelfile."
    try:
        read_modelfile(Path(text).expanduser())
    except ModelfileError as error:
        return f"{sanitize_line(text, 60)}: {error}"
    except OSError as error:
        return f"{sanitize_line(text, 60)}: {getattr(error, 'strerror', None) or error}"
    return ""


class CreateFromModelfile:
    """The models screen's "Create from Modelfile"; ``on_created`` hears the new name."""

    def __init__(
        self, screen: Screen[None], shared: Shared, on_created: Callable[[str], None]
    ) -> None:
        self.screen = screen
        self.shared = shared
        self.on_created = on_created

    def ask(self, taken: Collection[str]) -> None:
        """Ask for the new model's name (not one of ``taken``), then its Modelfile."""
        app = self.screen.app
        if any(w.group == WORKER_GROUP and not w.is_finished for w in app.workers):
            self.screen.notify("A model is being created; wait until it is done.")
            return

        def named(name: str | None) -> None:
            if name:
                app.push_screen(self._path_prompt(name), lambda path: self._chosen(name, path))

        prompt = TextPrompt(
            "Create a model from a Modelfile",
            "First its name · Enter goes on to the Modelfile · Esc cancels",
            placeholder="new name, e.g. my-model or me/model:v1",
            check=lambda name: new_name_problem(name, taken),
        )
        app.push_screen(prompt, named)

    def _path_prompt(self, name: str) -> TextPrompt:
        return TextPrompt(
            f"The Modelfile for {sanitize_line(name, 60)}",
            PATH_HINT,
            value="Modelfile" if Path("Modelfile").is_file() else "",
            placeholder="path, e.g. ~/models/pirate/Modelfile",
            check=modelfile_problem,
        )

    def _chosen(self, name: str, text: str | None) -> None:
        if not text:
            return
        path = Path(text).expanduser()
        try:
            modelfile = read_modelfile(path)
        except (ModelfileError, OSError) as error:  # changed since it was checked
            self.screen.notify(str(error), title="Cannot create", severity="error")
            return
        progress = CreationProgress(name)
        self.screen.mount(progress, after="#models-message")
        self.screen.app.run_worker(
            self._create(name, modelfile, path.parent, progress),
            group=WORKER_GROUP,
            exit_on_error=False,
        )

    async def _create(
        self, name: str, modelfile: Modelfile, folder: Path, progress: CreationProgress
    ) -> None:
        app = self.screen.app

        def show(event: CreateProgress) -> None:
            if progress.is_attached:  # the screen may have been closed meanwhile
                progress.show(event)

        try:
            await self.shared.creator.create(name, modelfile, folder, on_progress=show)
        except CreateProblem as problem:
            app.notify(str(problem), title="Cannot create the model", severity="error", timeout=8)
        except OllamaError as error:
            self.shared.report_error(app.screen, error)
        except Exception as error:  # told, whatever it was: the app must not go down
            what = f"Creating {sanitize_line(name, 60)} failed unexpectedly"
            app.notify(f"{what} ({type(error).__name__}).", severity="error", timeout=8)
        else:
            self.shared.catalog.forget(name)
            app.notify(f"Created {sanitize_line(name, 60)}.")
            if self.screen.is_attached:
                self.on_created(name)
        finally:
            if progress.is_attached:
                await progress.remove()

"""A document as plain JSON data, and back, with every value checked.

A session holds the stack (settings, weights, biases and names of every filter, and its dense
head: on or off, classes, seed), the input,
display, selection and parameter settings, every tab's settings (step-through, 1-D, training,
translation, network, pooling), the live feed's lasting choices, and the still picture: by its path,
or embedded as a PNG when it came from no file (pasted, captured).

:func:`parse_session` is strict: one bad value and the whole session is refused with a
sentence saying where (an opened session file is never half applied). :func:`parse_lenient`,
for the session restored at start, skips a bad section and reports it instead, so a damaged
setting never stops the app from starting.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from explorer.core.images import decode_image, load_image
from explorer.core.safe_files import (
    ReadRefused,
    SafeFileError,
    atomic_write,
    parse_json_limited,
    read_text_limited,
    regular_file_problem,
)
from explorer.core.stepthrough import apply_edits, example
from explorer.state.document import Document, Still
from explorer.state.layer import Filter, Layer, LayerSettings
from explorer.state.limits import EXPLORER_EXAMPLE, MAX_FILTERS, MAX_KERNEL, MAX_LAYERS, check
from explorer.state.settings import (
    DisplaySettings,
    InputSettings,
    LiveSettings,
    ParamsSettings,
    Selection,
)
from explorer.state.stack import HeadSettings
from explorer.state.tabs import (
    NetworkSettings,
    PoolingSettings,
    StepThroughSettings,
    TextSettings,
    TrainingSettings,
    TranslationSettings,
)

FORMAT = "cnn-explorer-session"
VERSION = 1
MAX_SESSION_BYTES = 64 * 2**20  # an embedded 12-megapixel PNG fits
MAX_NAME = 200
SECTIONS: dict[str, type] = {
    "input": InputSettings, "live": LiveSettings, "display": DisplaySettings,
    "selection": Selection, "params": ParamsSettings, "stepthrough": StepThroughSettings,
    "text": TextSettings, "training": TrainingSettings, "translation": TranslationSettings,
    "network": NetworkSettings, "pooling": PoolingSettings, "head": HeadSettings,
}
OLD_TAB_KEYS = {"1-d: text and signals": "text"}  # sessions that named tabs by their titles


class SessionError(ValueError):
    """A session that cannot be used, with a sentence saying why."""


@dataclass
class Session:
    """A checked session, ready to apply to a document."""

    sections: dict[str, dict[str, object]] = field(default_factory=dict)
    layers: list[Layer] | None = None
    still: Still | None = None
    notes: list[str] = field(default_factory=list)  # what a lenient parse skipped


# --- document → data -------------------------------------------------------------------------
def session_dict(doc: Document, embed_picture: bool = True) -> dict[str, object]:
    """The document as JSON-ready data. The still is embedded only when it has no file."""
    data: dict[str, object] = {"format": FORMAT, "version": VERSION}
    data["input"] = doc.input.as_dict()
    data["live"] = doc.live_settings.as_dict()
    data["display"] = doc.display.as_dict()
    data["selection"] = doc.selection.as_dict()
    data["params"] = doc.params.as_dict()
    data["head"] = doc.stack.head.as_dict()
    for name, settings in doc.tab_settings().items():
        data[name] = _plain(settings.as_dict())
    data["stack"] = [
        {"settings": layer.settings.as_dict(),
         "filters": [{"name": f.name, "bias": float(f.bias),
                      "weights": np.asarray(f.weights, np.float64).tolist(),
                      **({"random": True} if f.random else {})}
                     for f in (layer.filters[i] for i in range(len(layer.filters)))]}
        for layer in doc.stack
    ]
    still = doc.still
    if still.image is not None:
        entry: dict[str, object] = {"name": still.name, "path": still.path}
        if still.path is None and embed_picture:
            entry["png"] = _png_text(still.image)
        data["still"] = entry
    return data


def _plain(value: object) -> object:
    """Tuples as JSON lists, all the way down."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def session_text(doc: Document, embed_picture: bool = True) -> str:
    return json.dumps(session_dict(doc, embed_picture), indent=1, allow_nan=False) + "\n"


def _png_text(image: np.ndarray) -> str:
    bgr = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".png", bgr)
    if not ok:
        raise SessionError("the picture could not be encoded as PNG")
    return base64.b64encode(buf.tobytes()).decode("ascii")


# --- data → session --------------------------------------------------------------------------
def load_json_text(text: str, what: str = "the session") -> object:
    """JSON text as data; anything hostile (deep nesting, NaN, huge numbers) a SessionError."""
    if len(text) > MAX_SESSION_BYTES:
        raise SessionError(f"{what} is larger than {MAX_SESSION_BYTES // 2**20} MB")
    try:
        return parse_json_limited(text, what)
    except ReadRefused as exc:
        raise SessionError(str(exc)) from None


def parse_session(data: object) -> Session:
    """A checked :class:`Session`; any bad value is a SessionError naming where it is."""
    return _parse(data, strict=True)


def parse_lenient(data: object) -> Session:
    """Like :func:`parse_session`, but a bad section is skipped and named in ``notes`` (the
    still picture is not read: the session kept between runs names it by its path)."""
    return _parse(data, strict=False)


def _parse(data: object, strict: bool) -> Session:
    _check_header(data)
    assert isinstance(data, dict)
    session = Session()

    def part(read, *args):  # a bad part: refused when strict, else noted and skipped
        try:
            return read(*args)
        except SessionError as exc:
            if strict:
                raise
            session.notes.append(str(exc))
            return None

    for name in SECTIONS:
        if name in data:
            values = part(_section, name, data[name])
            if values is not None:
                session.sections[name] = values
    if "stack" in data:
        grayscale = session.sections.get("input", {}).get("grayscale", False)
        session.layers = part(_stack, data["stack"], 1 if grayscale else 3)
        if session.layers is None:  # the gray setting belongs with the stack it came with
            session.sections.get("input", {}).pop("grayscale", None)
            session.sections.pop("head", None)  # and so does the head
        elif "head" not in data:  # a session from before dense heads: its stack ends there
            session.sections["head"] = HeadSettings().as_dict()
    if strict and "still" in data:
        session.still = _still(data["still"])
    return session


def _check_header(data: object) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SessionError("this is not a CNN Explorer session file")
    version = data.get("version")
    if type(version) is not int or version != VERSION:
        if type(version) is int and version > VERSION:
            raise SessionError(f"this session was written by a newer CNN Explorer (format "
                               f"version {version})")
        raise SessionError(f"this session has an unknown format version ({version!r})")


def _section(name: str, value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise SessionError(f"the session's {name} settings are not a table of values")
    cls = SECTIONS[name]
    defaults = {f: getattr(cls(), f) for f in cls.__dataclass_fields__}
    out: dict[str, object] = {}
    for key, item in value.items():
        if key not in defaults:
            continue  # a setting of a newer version: ignored, not trusted
        if name == "display" and key == "tab":
            item = OLD_TAB_KEYS.get(item, item) if isinstance(item, str) else item
        try:
            out[key] = cls.check_field(key, item)
        except ValueError as exc:
            raise SessionError(f"the session's {name} settings are damaged: {exc}") from None
    if name == "stepthrough":
        _check_typed_numbers(out)
    return out


def _check_typed_numbers(values: dict[str, object]) -> None:
    """The step-through's typed numbers must fit the example they were typed into (the
    explorer's example is checked when its picture is there)."""
    name = values.get("example", StepThroughSettings.example)
    edits = values.get("edits", ())
    if not edits or name == EXPLORER_EXAMPLE:
        return
    try:
        seed = int(values.get("seed", 0))  # type: ignore[call-overload]
        apply_edits(example(str(name), seed), edits)  # type: ignore[arg-type]
    except ValueError as exc:
        raise SessionError(f"the session's step-through numbers do not fit the example "
                           f"{name}: {exc}") from None


def _stack(value: object, input_channels: int) -> list[Layer]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_LAYERS:
        raise SessionError(f"the session's stack must list 1 to {MAX_LAYERS} layers")
    layers = []
    channels = input_channels
    for i, item in enumerate(value):
        where = f"layer {i + 1} of the session's stack"
        if not isinstance(item, dict):
            raise SessionError(f"{where} is not a table of values")
        defaults = LayerSettings().as_dict()
        raw = item.get("settings")
        if not isinstance(raw, dict):
            raise SessionError(f"{where} has no settings")
        try:
            settings = LayerSettings(**{k: check(k, v, defaults[k]) for k, v in raw.items()
                                        if k in defaults})  # type: ignore[arg-type]
        except ValueError as exc:
            raise SessionError(f"{where} is damaged: {exc}") from None
        filters = _filters(item.get("filters"), settings, channels, where)
        layer = Layer(settings, channels=channels)
        layer.filters.set_filters(filters)
        layers.append(layer)
        channels = settings.n_filters
    return layers


def _filters(value: object, settings: LayerSettings, channels: int, where: str
             ) -> list[Filter]:
    if not isinstance(value, list) or len(value) != settings.n_filters:
        raise SessionError(f"{where} must list its {settings.n_filters} filters")
    shape = (settings.kernel_h, settings.kernel_w, channels)
    out = []
    for k, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise SessionError(f"filter {k + 1} of {where} is not a table of values")
        name, bias, rows = entry.get("name"), entry.get("bias"), entry.get("weights")
        if not isinstance(name, str) or len(name) > MAX_NAME:
            raise SessionError(f"filter {k + 1} of {where} has no usable name")
        if isinstance(bias, bool) or not isinstance(bias, (int, float)):
            raise SessionError(f"filter {k + 1} of {where} has no numeric bias")
        weights = _weights(rows, shape)
        if weights is None or not np.isfinite(float(bias)) or abs(float(bias)) > 1e30:
            raise SessionError(f"filter {k + 1} of {where} must have {'×'.join(map(str, shape))} "
                               "finite weights and a finite bias")
        random = entry.get("random", False)
        if not isinstance(random, bool):
            raise SessionError(f"filter {k + 1} of {where} says neither true nor false about "
                               "being random")
        out.append(Filter(name, weights, float(bias), random=random))
    return out


def _weights(rows: object, shape: tuple[int, int, int]) -> np.ndarray | None:
    """Nested lists of numbers as a float32 array of ``shape``, or None."""
    if shape[0] > MAX_KERNEL or shape[1] > MAX_KERNEL or shape[2] > max(MAX_FILTERS, 3):
        return None

    def numbers_only(x: object, depth: int) -> bool:
        if depth == 0:
            return not isinstance(x, bool) and isinstance(x, (int, float))
        return isinstance(x, list) and all(numbers_only(v, depth - 1) for v in x)

    if not numbers_only(rows, 3):
        return None
    try:
        w = np.array(rows, dtype=np.float64)
    except (ValueError, OverflowError):
        return None
    if w.shape != shape or not np.all(np.isfinite(w)) or np.abs(w).max(initial=0) > 1e30:
        return None
    return w.astype(np.float32)


def _still(value: object) -> Still:
    if not isinstance(value, dict):
        raise SessionError("the session's picture entry is not a table of values")
    name, path, png = value.get("name"), value.get("path"), value.get("png")
    if not isinstance(name, str) or len(name) > MAX_NAME:
        raise SessionError("the session's picture has no usable name")
    if path is not None and not isinstance(path, str):
        raise SessionError("the session's picture path is not text")
    if png is None:
        return Still(None, name, path)
    if not isinstance(png, str):
        raise SessionError("the session's embedded picture is not text")
    try:
        raw = base64.b64decode(png.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise SessionError("the session's embedded picture is damaged") from None
    try:
        image = decode_image(raw, "the session's embedded picture")
    except ValueError as exc:
        raise SessionError(str(exc)) from None
    return Still(image, name, path)


# --- session → document ----------------------------------------------------------------------
def apply_session(doc: Document, session: Session) -> None:
    """Put a checked session into the document (the stack first, then the settings): all of
    it or, when the document refuses a value, none of it (the document is put back as it was
    and the ValueError passes on)."""
    backup = parse_session(session_dict(doc, embed_picture=False))  # the still stays as it is
    try:
        _apply(doc, session)
    except ValueError:
        _apply(doc, backup)
        raise


def _apply(doc: Document, session: Session) -> None:
    grayscale = session.sections.get("input", {}).get("grayscale")
    if grayscale is not None:
        doc.input.grayscale = bool(grayscale)
    if session.layers is not None:
        doc.stack.replace(session.layers)
    targets = {"input": doc.input, "live": doc.live_settings, "display": doc.display,
               "selection": doc.selection, "params": doc.params, "head": doc.stack.head,
               **doc.tab_settings()}
    for name, values in session.sections.items():
        targets[name].update(values)
    if session.still is not None and session.still.image is not None:
        doc.set_still(session.still.image, session.still.name, session.still.path)
        if grayscale is not None:
            doc.input.grayscale = bool(grayscale)
    doc.clamp_selection()


def session_picture(doc: Document, session: Session) -> None:
    """Open the session's picture by its path (a picture embedded in the session is in place
    already). Raises ValueError with a sentence when it cannot be opened; the document's
    picture then stays as it was."""
    still = session.still
    if still is None or still.image is not None or not still.path:
        return
    problem = regular_file_problem(still.path)
    if problem == "does not exist":
        raise ValueError(f"the session's picture {still.path} is no longer there")
    if problem is not None:
        raise ValueError(f"the session's picture {still.path} {problem}")
    try:
        image = load_image(still.path)
    except ValueError as exc:
        raise ValueError(f"the session's picture {still.name}: {exc}") from None
    doc.set_still(image, Path(still.path).name, still.path)


# --- files -----------------------------------------------------------------------------------
def write_session(path: str | Path, doc: Document) -> Path:
    """Save the document as a session file (atomic: an old file is replaced only when the
    new one is complete). Raises SessionError with the cause."""
    target = Path(path)
    text = session_text(doc, embed_picture=True)
    try:
        atomic_write(target, text.encode("utf-8"))
    except SafeFileError as exc:  # says the cause, and that an old file is unchanged
        raise SessionError(str(exc)) from None
    return target


def read_session(path: str | Path) -> Session:
    """A session file, checked (strict: any damage refuses the whole file, which is left
    untouched)."""
    source = Path(path)
    try:
        text = read_text_limited(source, MAX_SESSION_BYTES)
    except SafeFileError as exc:
        raise SessionError(f"{source.name} {exc.problem}") from None
    try:
        data = load_json_text(text, source.name)  # its messages name the file already
    except SessionError as exc:
        raise SessionError(f"{exc}; the file was left untouched") from None
    try:
        return parse_session(data)
    except SessionError as exc:
        raise SessionError(f"{source.name}: {exc}; the file was left untouched") from None

"""One method per event type of the sidecar's catalog (docs/INGEST_API.md), with typed arguments.

The signatures are the catalog's fields, so a type checker flags a misspelled or missing field
before the code runs. At run time a wrong call never raises into the application: a misspelled
argument, a missing required field or a value JSON cannot carry is logged once per call site,
counted in ``stats()["dropped_invalid"]`` and the event is dropped.
"""

from __future__ import annotations

import difflib
import functools
import inspect
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, TypeVar, Union, cast

from .reporting import call_site

Timestamp = Union[float, int, str]  # Unix seconds or an RFC 3339 date-time with offset
ContextValue = Union[str, int, float, bool, None]

F = TypeVar("F", bound=Callable[..., Any])


def _problem(name: str, sig: inspect.Signature, args: Tuple[Any, ...], kwargs: Mapping[str, Any]) -> Optional[str]:
    """What is wrong with a call, in words that say how to fix it; None when nothing is."""
    names = list(sig.parameters)[1:]
    for key in kwargs:
        if key not in sig.parameters or key == "self":
            guess = difflib.get_close_matches(key, names, n=1)
            hint = f" (did you mean {guess[0]!r}?)" if guess else ""
            return f"events.{name}(): unknown argument {key!r}{hint}; its arguments are {', '.join(names)}"
    try:
        bound = sig.bind(None, *args, **kwargs)
    except TypeError as error:
        return f"events.{name}(): {error}"
    for parameter in list(sig.parameters.values())[1:]:
        if parameter.default is parameter.empty and bound.arguments.get(parameter.name) is None:
            return f"events.{name}(): {parameter.name} is required and was None"
    return None


def _required(sig: inspect.Signature) -> List[Tuple[int, str]]:
    """The required parameters, each with its position when it may be passed positionally (else -1)."""
    found = []
    for position, parameter in enumerate(list(sig.parameters.values())[1:]):
        if parameter.default is parameter.empty:
            positional = parameter.kind is parameter.POSITIONAL_OR_KEYWORD
            found.append((position if positional else -1, parameter.name))
    return found


def event_method(event_type: Optional[str]) -> Callable[[F], F]:
    """Makes a method that never raises: a wrong call is reported and the event dropped.

    The right call costs a call and a check of the required fields; the signature is examined only
    to explain a wrong one.
    """

    def decorate(method: F) -> F:
        sig = inspect.signature(method)
        required = _required(sig)

        @functools.wraps(method)
        def checked(self: "EventMethods", *args: Any, **kwargs: Any) -> Any:
            try:
                for position, name in required:
                    if (args[position] if 0 <= position < len(args) else kwargs.get(name)) is None:
                        break
                else:
                    try:
                        return method(self, *args, **kwargs)
                    except TypeError as error:
                        tb = error.__traceback__
                        if tb is None or tb.tb_next is not None:
                            raise  # raised inside the method, not by the call's arguments
                problem = _problem(method.__name__, sig, args, kwargs) or f"events.{method.__name__}(): invalid call"
                self._misuse(f"{problem}; the event was dropped", call_site(1))
            except Exception as error:  # never into the application
                try:
                    self._misuse(f"events.{method.__name__}(): {error}; the event was dropped", call_site(1))
                except Exception:
                    pass
            return None

        checked.event_type = event_type  # type: ignore[attr-defined]
        return cast(F, checked)

    return decorate


class EventMethods:
    """The event methods of ``SidecarEvents``. Optional fields left as None are not sent."""

    # Provided by SidecarEvents:
    def _event(self, event_type: str, fields: Dict[str, Any]) -> None:
        raise NotImplementedError

    def _misuse(self, message: str, site: Tuple[str, int]) -> None:
        raise NotImplementedError

    def _capture(self, exc: Optional[BaseException], fields: Dict[str, Any]) -> Optional[str]:
        raise NotImplementedError

    @event_method("db.query")
    def db_query(self, *, system: str, operation: str, duration_s: float, collection: Optional[str] = None,
                 error_type: Optional[str] = None, rows: Optional[int] = None,
                 event_id: Optional[str] = None, ts: Optional[Timestamp] = None) -> None:
        """One database call: ``system`` as db.system.name (postgresql), ``operation`` as db.operation.name."""
        self._event("db.query", locals())

    @event_method("db.pool")
    def db_pool(self, *, used: int, idle: int, pool: Optional[str] = None, max: Optional[int] = None,
                pending: Optional[int] = None, timeouts: Optional[int] = None,
                event_id: Optional[str] = None, ts: Optional[Timestamp] = None) -> None:
        """A connection-pool snapshot; ``timeouts`` counts since the previous snapshot."""
        self._event("db.pool", locals())

    @event_method("cache.operation")
    def cache_operation(self, *, operation: str, result: str, cache: Optional[str] = None,
                        duration_s: Optional[float] = None,
                        event_id: Optional[str] = None, ts: Optional[Timestamp] = None) -> None:
        """One cache call: ``operation`` get/set/delete/expire/increment/other, ``result`` hit/miss/ok/error."""
        self._event("cache.operation", locals())

    @event_method("storage.operation")
    def storage_operation(self, *, operation: str, backend: str, outcome: str, duration_s: float,
                          bytes: Optional[int] = None,
                          event_id: Optional[str] = None, ts: Optional[Timestamp] = None) -> None:
        """One object-storage call: ``operation`` upload/download/delete."""
        self._event("storage.operation", locals())

    @event_method("speech.request")
    def speech_request(self, *, operation: str, provider: str, outcome: str, duration_s: float,
                       audio_s: Optional[float] = None, providers_attempted: Optional[List[str]] = None,
                       event_id: Optional[str] = None, ts: Optional[Timestamp] = None) -> None:
        """Speech to text or text to speech; ``providers_attempted`` ends with ``provider``."""
        self._event("speech.request", locals())

    @event_method("llm.request")
    def llm_request(self, *, provider: str, model: str, duration_s: float, operation: Optional[str] = None,
                    input_tokens: Optional[int] = None, output_tokens: Optional[int] = None,
                    time_to_first_chunk_s: Optional[float] = None, error_type: Optional[str] = None,
                    event_id: Optional[str] = None, ts: Optional[Timestamp] = None) -> None:
        """One call to a generative-AI model, as OpenTelemetry's gen_ai conventions name it."""
        self._event("llm.request", locals())

    @event_method("rag.pipeline")
    def rag_pipeline(self, *, outcome: str, duration_s: float, pipeline: Optional[str] = None,
                     documents_retrieved: Optional[int] = None, stages: Optional[List[Dict[str, Any]]] = None,
                     event_id: Optional[str] = None, ts: Optional[Timestamp] = None) -> None:
        """One run of a RAG pipeline; ``stages`` is a list of ``{name, duration_s, outcome}``."""
        self._event("rag.pipeline", locals())

    @event_method("document.processing")
    def document_processing(self, *, document_type: str, outcome: str, duration_s: float,
                            stage: Optional[str] = None, pages: Optional[int] = None,
                            event_id: Optional[str] = None, ts: Optional[Timestamp] = None) -> None:
        """One processing stage (parse, ocr, chunk, embed; ``all`` by default) of one document."""
        self._event("document.processing", locals())

    @event_method("auth.attempt")
    def auth_attempt(self, *, method: str, outcome: str, reason: Optional[str] = None,
                     event_id: Optional[str] = None, ts: Optional[Timestamp] = None) -> None:
        """One sign-in or token attempt. Only enums: never a user id, name or address."""
        self._event("auth.attempt", locals())

    @event_method("chat.message")
    def chat_message(self, *, role: Optional[str] = None, channel: Optional[str] = None,
                     outcome: Optional[str] = None,
                     event_id: Optional[str] = None, ts: Optional[Timestamp] = None) -> None:
        """One chat message (never its text)."""
        self._event("chat.message", locals())

    @event_method("voice.interaction")
    def voice_interaction(self, *, kind: Optional[str] = None, channel: Optional[str] = None,
                          outcome: Optional[str] = None, duration_s: Optional[float] = None,
                          event_id: Optional[str] = None, ts: Optional[Timestamp] = None) -> None:
        """One spoken exchange."""
        self._event("voice.interaction", locals())

    @event_method("document.upload")
    def document_upload(self, *, document_type: str, channel: Optional[str] = None,
                        outcome: Optional[str] = None, bytes: Optional[int] = None,
                        event_id: Optional[str] = None, ts: Optional[Timestamp] = None) -> None:
        """One document a user uploaded."""
        self._event("document.upload", locals())

    @event_method("transaction")
    def transaction(self, *, transaction_type: str, outcome: str, channel: Optional[str] = None,
                    amount: Optional[float] = None, currency: Optional[str] = None,
                    event_id: Optional[str] = None, ts: Optional[Timestamp] = None) -> None:
        """One business transaction: ``outcome`` success/declined/error; ``currency`` required with ``amount``."""
        self._event("transaction", locals())

    @event_method("error")
    def error(self, message: str, error_type: str, *, component: Optional[str] = None,
              level: Optional[str] = None, stack: Optional[str] = None,
              context: Optional[Dict[str, ContextValue]] = None, request_id: Optional[str] = None,
              trace_id: Optional[str] = None, span_id: Optional[str] = None,
              exception: Optional[List[Dict[str, Any]]] = None,
              event_id: Optional[str] = None, ts: Optional[Timestamp] = None) -> None:
        """An application error. Inside a request (see ``install``), request_id, trace_id and span_id
        default to the request's, so the sidecar joins the error to that request's 5xx and trace."""
        self._event("error", locals())

    @event_method(None)
    def capture_exception(self, exc: Optional[BaseException] = None, *, message: Optional[str] = None,
                          component: Optional[str] = None, level: Optional[str] = None,
                          context: Optional[Dict[str, ContextValue]] = None, request_id: Optional[str] = None,
                          trace_id: Optional[str] = None, span_id: Optional[str] = None) -> Optional[str]:
        """An ``error`` event from an exception (by default the one being handled): its class as
        error_type, its message, its traceback as text and as Sentry frames with the chain of causes.

        Returns the event id, or None when nothing was sent. An exception already sent (by this
        call, the ASGI middleware or the logging handler) is not sent twice.
        """
        return self._capture(exc, locals())


def catalog() -> Dict[str, Dict[str, List[str]]]:
    """The fields of each event type, as the methods above declare them: the test that holds this
    client to the sidecar's schema reads it."""
    found: Dict[str, Dict[str, List[str]]] = {}
    for attribute in vars(EventMethods).values():
        event_type = getattr(attribute, "event_type", None)
        if event_type is None:
            continue
        parameters = list(inspect.signature(attribute).parameters.values())[1:]
        found[event_type] = {
            "fields": sorted(p.name for p in parameters),
            "required": sorted(p.name for p in parameters if p.default is p.empty),
        }
    return found

"""Error codes and their exception classes."""

import pickle

import pytest

from commbus import errors
from commbus.errors import CommBusError, Internal, Timeout, error_class, error_from

CODES = {
    "NO_HANDLER": errors.NoHandler,
    "TIMEOUT": errors.Timeout,
    "HANDLER_FAILED": errors.HandlerFailed,
    "REJECTED": errors.Rejected,
    "OVERLOADED": errors.Overloaded,
    "CODEC": errors.Codec,
    "PROTOCOL": errors.ProtocolError,
    "CHILD_EXITED": errors.ChildExited,
    "DUPLICATE_HANDLER": errors.DuplicateHandler,
    "CANCELLED": errors.Cancelled,
    "INVALID_MESSAGE": errors.InvalidMessage,
    "UNAVAILABLE": errors.Unavailable,
    "STORAGE": errors.Storage,
    "NODE_LEFT": errors.NodeLeft,
    "FORBIDDEN": errors.ForbiddenError,
    "START_FAILED": errors.StartFailedError,
    "INIT_TIMEOUT": errors.InitTimeoutError,
    "NODE_CRASHED": errors.NodeCrashedError,
    "RESOURCE_LIMIT": errors.ResourceLimitError,
    "PIPELINE_TERMINATED": errors.PipelineTerminatedError,
    "SESSION_NOT_FOUND": errors.SessionNotFoundError,
    "INTERNAL": errors.Internal,
}


@pytest.mark.parametrize("code,cls", sorted(CODES.items()))
def test_each_code_has_its_class(code, cls):
    assert error_class(code) is cls
    error = error_from(code, "it went wrong", "java.lang.IllegalStateException", "at Foo.bar")
    assert type(error) is cls
    assert isinstance(error, CommBusError)
    assert error.code == code
    assert error.message == "it went wrong"
    assert error.remote_type == "java.lang.IllegalStateException"
    assert error.remote_traceback == "at Foo.bar"
    assert cls().code == code


def test_unknown_code_becomes_internal_and_keeps_the_name():
    error = error_from("QUOTA_EXCEEDED", "too many")
    assert type(error) is Internal
    assert error.code == "INTERNAL"
    assert "QUOTA_EXCEEDED" in error.message and "too many" in error.message
    assert type(error_from(None, None)) is Internal
    assert error_class("nonsense") is Internal


def test_str_reads_code_colon_message():
    assert str(Timeout("query trading.Quote timed out after 2000 ms")) == "TIMEOUT: query trading.Quote timed out after 2000 ms"
    assert str(error_from("HANDLER_FAILED", "bad input", "ValueError")) == "HANDLER_FAILED: bad input (ValueError)"
    assert str(errors.Cancelled()) == "CANCELLED"


def test_a_subclass_instance_may_carry_its_own_code():
    error = CommBusError("custom", code="REJECTED")
    assert error.code == "REJECTED"


def test_errors_pickle():
    error = error_from("OVERLOADED", "queue full", "Overloaded", "tb")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is errors.Overloaded
    assert (copy.code, copy.message, copy.remote_type, copy.remote_traceback) == ("OVERLOADED", "queue full", "Overloaded", "tb")


def test_catch_by_family():
    with pytest.raises(CommBusError):
        raise error_from("NO_HANDLER", "nobody handles x.Y")


ERROR_NAMES = {
    "NoHandler": "NoHandlerError",
    "HandlerFailed": "HandlerFailedError",
    "Rejected": "RejectedError",
    "Overloaded": "OverloadedError",
    "Codec": "CodecError",
    "ChildExited": "ChildExitedError",
    "DuplicateHandler": "DuplicateHandlerError",
    "InvalidMessage": "InvalidMessageError",
    "Unavailable": "UnavailableError",
    "Storage": "StorageError",
    "NodeLeft": "NodeLeftError",
    "Internal": "InternalError",
}


@pytest.mark.parametrize("short,documented", sorted(ERROR_NAMES.items()))
def test_short_names_are_aliases_of_the_error_suffixed_classes(short, documented):
    cls = getattr(errors, documented)
    assert getattr(errors, short) is cls
    assert cls.__name__ == documented
    assert short in errors.__all__ and documented in errors.__all__


def test_every_code_class_is_exported_under_its_documented_name():
    documented = {name for name in errors.__all__ if name.endswith("Error")} | {"Timeout", "Cancelled"}
    assert {cls.__name__ for cls in CODES.values()} <= documented


def test_timeout_is_a_builtin_timeout_error():
    error = error_from("TIMEOUT", "query trading.Quote timed out after 2000 ms")
    assert isinstance(error, TimeoutError) and isinstance(error, CommBusError)
    with pytest.raises(TimeoutError):
        raise error
    assert str(error) == "TIMEOUT: query trading.Quote timed out after 2000 ms"
    assert error.args == ("query trading.Quote timed out after 2000 ms",)
    assert type(pickle.loads(pickle.dumps(error))) is Timeout


def test_cancelled_is_not_asyncio_cancellation():
    import asyncio

    assert not issubclass(errors.Cancelled, asyncio.CancelledError)
    assert issubclass(errors.Cancelled, Exception)


def test_errors_name_the_call_that_failed_and_keep_it_through_pickling():
    error = error_from("NO_HANDLER", "nobody", operation="query", message_type="trading.Quote")
    assert (error.operation, error.message_type) == ("query", "trading.Quote")
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.code, copy.operation, copy.message_type) == (errors.NoHandlerError, "NO_HANDLER", "query", "trading.Quote")
    assert (errors.Rejected().operation, errors.Rejected().message_type) == (None, None)
    custom = pickle.loads(pickle.dumps(CommBusError("custom", code="REJECTED")))
    assert (type(custom), custom.code) == (errors.RejectedError, "REJECTED")

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

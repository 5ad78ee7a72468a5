"""Cannot be imported: the Java side must report the traceback."""
import does_not_exist_anywhere  # noqa: F401

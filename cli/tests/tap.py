"""The TAP output of the command-line tests: one "ok N - name" line per check, which Meson counts
check by check, the detail of a failed check as "#" comments, and the plan line at the end."""
import sys

_count = 0
_failures = 0


def check(name, condition, detail=""):
    global _count, _failures
    _count += 1
    print(("ok " if condition else "not ok ") + f"{_count} - {name}")
    if not condition:
        _failures += 1
        for line in str(detail).splitlines() or [""]:
            print("# " + line)


def finish():
    """Prints the plan and exits non-zero if any check failed."""
    print(f"1..{_count}")
    sys.exit(1 if _failures else 0)

"""Where the shared benchmark files are: $LLMCOST_SHARED, else shared/ beside
the checkout (../shared). A checkout never depends on where one machine keeps
them; a test that cannot find them says SKIPPED and exits 77, which ctest
shows as Skipped (SKIP_RETURN_CODE), never as a pass."""
import os
import sys

SKIP_EXIT = 77


def shared_dir(needed):
    """The shared/ folder holding `needed` (a path inside it), or None."""
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for candidate in (os.environ.get("LLMCOST_SHARED", ""), os.path.join(repo, "..", "shared")):
        if candidate and os.path.exists(os.path.join(candidate, needed)):
            return candidate
    return None


def skip(what):
    print(f"SKIPPED: {what}", file=sys.stderr)
    print(f"SKIPPED: {what}")
    sys.exit(SKIP_EXIT)


def require_shared(needed, test):
    """shared_dir(needed), or skip `test` loudly when it is absent."""
    found = shared_dir(needed)
    if found is None:
        skip(f"{test}: shared/{needed} not found (set LLMCOST_SHARED, or put shared/ beside the checkout)")
    return found

"""What the command-line tests share: reading and writing JSON files and running the command."""
import json
import subprocess


def load(path):
    with open(path) as f:
        return json.load(f)


def write(path, document):
    with open(path, "w") as f:
        json.dump(document, f, indent=1)
    return path


def run(binary, *args, timeout=300, env=None):
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=timeout, env=env)


def with_json(result):
    """The result and its standard output read as JSON (None when it is not JSON)."""
    try:
        return result, json.loads(result.stdout)
    except json.JSONDecodeError:
        return result, None

#!/usr/bin/env python
"""Start, stop and wrap the embedded AWS emulator (ministack) on loopback.

Standard library only: the Makefile and the pytest fixtures both use it, and the emulator itself runs from
its own virtualenv (.venv-emulator) because it pins botocore exactly.

    emulator.py start [--port N]        start in the background, wait until healthy, write the pid file
    emulator.py stop  [--port N]        stop the process named by the pid file (and only that one)
    emulator.py run   [--port N] -- CMD start a fresh emulator, run CMD with AICHEF_EMULATOR_PORT set, stop it
"""
import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EMULATOR_BIN = os.path.join(ROOT, ".venv-emulator", "bin", "ministack")
RUN_DIR = os.path.join(ROOT, ".run")
DEFAULT_PORT = int(os.environ.get("AICHEF_EMULATOR_PORT", "4566"))
HEALTH_TIMEOUT_SECONDS = 30


def pid_file(port):
    return os.path.join(RUN_DIR, "emulator-%d.pid" % port)


def log_file(port):
    return os.path.join(RUN_DIR, "emulator-%d.log" % port)


def is_healthy(port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/_ministack/health" % port, timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def read_pid(port):
    try:
        with open(pid_file(port)) as handle:
            return int(handle.read().strip())
    except (OSError, ValueError):
        return None


def process_alive(pid):
    # When the emulator is our own child (pytest fixture, `run`), it stays a zombie after SIGTERM until reaped:
    # reap it, or kill(pid, 0) keeps answering "alive" and every stop waits out its timeout.
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start(port):
    """Start the emulator unless ours already runs on that port; return its pid."""
    pid = read_pid(port)
    if pid and process_alive(pid) and is_healthy(port):
        return pid
    if is_healthy(port):
        raise SystemExit("port %d already answers as an emulator that this checkout did not start; "
                         "stop it or pick another port (AICHEF_EMULATOR_PORT)" % port)
    if not os.path.exists(EMULATOR_BIN):
        raise SystemExit("%s is missing: run `make install` first" % EMULATOR_BIN)
    os.makedirs(RUN_DIR, exist_ok=True)
    # The emulator's own --detach mode keeps its pid file in /tmp keyed by port only; starting it in the
    # foreground under our own pid file keeps two checkouts (or CI and a developer) from stopping each other.
    env = dict(os.environ, GATEWAY_PORT=str(port), BIND_HOST="127.0.0.1", LOG_LEVEL="WARNING")
    with open(log_file(port), "w") as log:
        process = subprocess.Popen([EMULATOR_BIN], stdout=log, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
    with open(pid_file(port), "w") as handle:
        handle.write(str(process.pid))
    deadline = time.monotonic() + HEALTH_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("emulator exited with %s; see %s" % (process.returncode, log_file(port)))
        if is_healthy(port):
            return process.pid
        time.sleep(0.1)
    stop(port)
    raise SystemExit("emulator on port %d not healthy after %ds; see %s" % (port, HEALTH_TIMEOUT_SECONDS, log_file(port)))


def stop(port):
    pid = read_pid(port)
    if pid is None:
        return
    if process_alive(pid):
        os.killpg(pid, signal.SIGTERM)
        for dummy in range(50):
            if not process_alive(pid):
                break
            time.sleep(0.1)
        else:
            os.killpg(pid, signal.SIGKILL)
    os.remove(pid_file(port))


def run(port, command):
    """Run command against a fresh emulator: state from earlier runs must not leak into a test."""
    stop(port)
    start(port)
    try:
        env = dict(os.environ, AICHEF_EMULATOR_PORT=str(port))
        return subprocess.call(command, env=env)
    finally:
        stop(port)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["start", "stop", "restart", "run"])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    argv = sys.argv[1:] if argv is None else argv
    command = argv[argv.index("--") + 1:] if "--" in argv else []
    args = parser.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    if args.action == "run":
        if not command:
            parser.error("run needs a command after --")
        return run(args.port, command)
    if args.action in ("stop", "restart"):
        stop(args.port)
    if args.action in ("start", "restart"):
        pid = start(args.port)
        print("emulator healthy on http://127.0.0.1:%d (pid %d, log %s)" % (args.port, pid, log_file(args.port)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

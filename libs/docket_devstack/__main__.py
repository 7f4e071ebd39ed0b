import sys

from .up import main

if len(sys.argv) < 2 or sys.argv[1] != "up":
    sys.exit("usage: python -m docket_devstack up [--once | --no-story] [--data-dir DIR]")
sys.exit(main(sys.argv[2:]))

"""Broken: calls sys.exit inside the function."""

import sys


def gradient_step_onefeature(x, y, weight, lrate):
    sys.exit("giving up")

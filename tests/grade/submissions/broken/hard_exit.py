"""Broken: ends the process."""

import os


def gradient_step(X, y, weight, lrate):
    os._exit(3)

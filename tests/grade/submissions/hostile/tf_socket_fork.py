"""Hostile on the side, correct TensorFlow values: from a process in which TensorFlow runs (its
thread pools started), once per worker it connects to 127.0.0.1:47303, where the test listens,
and starts a ``tf.distribute.Server`` (a gRPC server on a free port), then forks three children
that rename themselves ``dlh-tffork`` and sleep for ten minutes, as a learner's code leaving a
server or a background job behind would.

Verdict: pass (the values are right). No connection may reach the listener (the sandbox has its
own network namespace) and no ``dlh-tffork`` process may outlive grading.
"""

import contextlib
import os
import socket
import time

import tensorflow as tf

PORT = 47303
_DONE = []


def _connect():
    with (
        contextlib.suppress(OSError),
        socket.create_connection(("127.0.0.1", PORT), timeout=0.5) as connection,
    ):
        connection.sendall(b"HOSTILE-LEAK from a TensorFlow worker")
        print(f"HOSTILE-LEAK: connected to 127.0.0.1:{PORT}")


def _serve():
    with contextlib.suppress(Exception):
        _DONE.append(tf.distribute.Server.create_local_server())


def _fork():
    for _ in range(3):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            try:
                with open("/proc/self/comm", "w") as comm:
                    comm.write("dlh-tffork")
                time.sleep(600)
            finally:
                os._exit(0)


def _once():
    if _DONE:
        return
    _DONE.append(True)
    _connect()
    _serve()
    _fork()


def gradient_step_onefeature(x, y, weight, lrate):
    _once()
    w = tf.Variable(weight)
    with tf.GradientTape() as tape:
        mse = tf.reduce_mean((y - x * w) ** 2)
    w.assign_sub(lrate * tape.gradient(mse, w))
    return w, mse


def gradient_step(X, y, weight, lrate):
    _once()
    w = tf.Variable(weight)
    with tf.GradientTape() as tape:
        mse = tf.reduce_mean((y - X @ w) ** 2)
    w.assign_sub(lrate * tape.gradient(mse, w))
    return w, mse

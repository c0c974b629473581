"""Helper of the warm-up probes (not a submission; it imports nothing itself, so the grader's
reading of the probes' imports is what the probes say).

TensorFlow's runtime starts at the first op, after which its devices can no longer be configured.
If configuring them still works at the start of the first call, the runtime started on the
grader's clock: the probe raises, and its cases fail.
"""

_CALLED = []


def raise_if_cold(tf):
    if _CALLED:
        return
    _CALLED.append(True)
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()])
    except RuntimeError:
        return
    raise RuntimeError("TensorFlow's runtime started inside the timed call")

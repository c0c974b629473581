"""The code that runs *inside* the sandbox, next to the learner's code.

NOTE [inside the sandbox]: this subpackage depends on the standard library and NumPy only and
imports its siblings relatively, because the sandbox does not show the descentlab package: the
grader mounts this folder read-only under another name and starts :mod:`.serve`. It holds no
expected value, tolerance or case file, and nothing it reports is trusted: the grader validates
every message (``descentlab.grade.reply_schema``) and makes every comparison itself. The
frameworks it warms up (PyTorch, TensorFlow) are imported inside the warm-up functions, in the
sandbox only; TensorFlow directly, since ``descentlab.quiet_tensorflow`` is out of reach there
(the sandbox's environment quiets it instead: ``TF_CPP_MIN_LOG_LEVEL=3``).
"""

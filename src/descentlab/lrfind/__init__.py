"""§2.12 the learning-rate range test: ramp the rate, watch the loss, suggest a rate, restore.

:func:`lr_range_test` (in :mod:`.range_test`, PyTorch) works with any ``nn.Module``, any
``torch.optim.Optimizer`` (descentlab's adaptor included), any loss function and any iterable of
batches, on CPU or CUDA; the ramp, smoothing and suggestion rule are NumPy in :mod:`.rate_curve`.
"""

from descentlab.lrfind.range_test import STOP_REASONS, RangeTestResult, lr_range_test
from descentlab.lrfind.rate_curve import exponential_ramp, smooth, smooth_two_way, suggest_lrate

__all__ = [
    "STOP_REASONS",
    "RangeTestResult",
    "exponential_ramp",
    "lr_range_test",
    "smooth",
    "smooth_two_way",
    "suggest_lrate",
]

"""Models: shapes, activations, seeded initialisation, and the factory's checks."""

from __future__ import annotations

import pytest
import torch

from descentlab.models import MLP, LinearPredictor, LogisticRegression, make_model, parse_layers


@pytest.mark.parametrize(
    ("name", "outputs", "layers", "kind"),
    [
        ("linear", 1, (), LinearPredictor),
        ("logistic", 3, (), LogisticRegression),
        ("mlp", 1, (64, 32, 16), MLP),
        ("mlp", 4, (5,), MLP),
    ],
)
def test_output_shapes(name, outputs, layers, kind):
    model = make_model(name, 7, outputs, layers=layers, seed=0)
    assert isinstance(model, kind)
    assert tuple(model(torch.zeros(11, 7)).shape) == (11, outputs)


def test_mlp_is_affine_maps_and_activations():
    model = make_model("mlp", 3, 2, layers=(4, 5), activation="tanh", seed=1)
    kinds = [type(m).__name__ for m in model.network]
    assert kinds == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    x = torch.randn(6, 3, generator=torch.Generator().manual_seed(0))
    a, b, c = (m for m in model.network if isinstance(m, torch.nn.Linear))
    by_hand = c(torch.tanh(b(torch.tanh(a(x)))))
    torch.testing.assert_close(model(x), by_hand, rtol=0, atol=0)


@pytest.mark.parametrize(
    ("activation", "oracle"),
    [
        ("relu", torch.relu),
        ("tanh", torch.tanh),
        ("sigmoid", torch.sigmoid),
        ("gelu", lambda z: 0.5 * z * (1 + torch.erf(z / 2**0.5))),
    ],
)
def test_activations(activation, oracle):
    model = make_model("mlp", 2, 1, layers=(3,), activation=activation, seed=0)
    act = model.network[1]
    z = torch.linspace(-4, 4, 41)
    torch.testing.assert_close(act(z), oracle(z))


def test_no_bias_linear_is_x_times_w():
    model = make_model("linear", 4, 1, bias=False, seed=2)
    assert model.affine.bias is None
    x = torch.randn(5, 4, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(model(x), x @ model.affine.weight.T, rtol=0, atol=0)


def test_logistic_probabilities():
    binary = make_model("logistic", 3, 1, seed=0)
    multi = make_model("logistic", 3, 4, seed=0)
    x = torch.randn(8, 3, generator=torch.Generator().manual_seed(2))
    torch.testing.assert_close(binary.predict_proba(x), torch.sigmoid(binary(x)))
    torch.testing.assert_close(multi.predict_proba(x).sum(1), torch.ones(8))


def test_same_seed_same_bits_and_global_rng_untouched():
    before = torch.get_rng_state()
    one = make_model("mlp", 5, 2, layers=(8, 4), seed=3)
    two = make_model("mlp", 5, 2, layers=(8, 4), seed=3)
    other = make_model("mlp", 5, 2, layers=(8, 4), seed=4)
    assert torch.equal(before, torch.get_rng_state())
    for p, q, r in zip(one.parameters(), two.parameters(), other.parameters(), strict=True):
        assert p.detach().numpy().tobytes() == q.detach().numpy().tobytes()
        assert not torch.equal(p, r)


def test_init_scale_matches_torch_default():
    layer = make_model("linear", 100, 50, seed=0).affine
    bound = 1 / 100**0.5
    assert layer.weight.abs().max() <= bound
    assert layer.weight.abs().max() > 0.9 * bound


def test_parse_layers_reads_widths_and_empty_text():
    assert parse_layers("64, 32,16") == (64, 32, 16)
    assert parse_layers("") == () and parse_layers("  ") == ()

"""sdpa_attention: nn.MultiheadAttention without its CPU fast path."""
import threading

import torch
from tiny_clip import TINY_ARCH

from umbe.models import CLIPVisionEncoder
from umbe.models.utils import sdpa_attention


def test_switches_the_fast_path_off_inside_and_restores_it():
    before = torch.backends.mha.get_fastpath_enabled()
    with sdpa_attention():
        assert not torch.backends.mha.get_fastpath_enabled()
        with sdpa_attention():  # nested
            assert not torch.backends.mha.get_fastpath_enabled()
        assert not torch.backends.mha.get_fastpath_enabled()
    assert torch.backends.mha.get_fastpath_enabled() == before


def test_concurrent_users_restore_the_setting_once():
    before = torch.backends.mha.get_fastpath_enabled()
    inside, leave = threading.Barrier(3), threading.Event()
    seen = []

    def user():
        with sdpa_attention():
            inside.wait()
            leave.wait()
            seen.append(torch.backends.mha.get_fastpath_enabled())

    threads = [threading.Thread(target=user) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait()
    leave.set()
    for t in threads:
        t.join()
    assert seen == [False, False]
    assert torch.backends.mha.get_fastpath_enabled() == before


def test_tower_computes_in_eval_what_it_computes_with_gradients():
    """Without the fast path, a no-grad eval pass runs the kernels of the
    autograd pass: the same features, bit for bit."""
    torch.manual_seed(0)
    enc = CLIPVisionEncoder(model_name='tiny', arch_cfg=TINY_ARCH,
                            frozen=False).eval()
    frames = torch.randn(3, 3, 16, 16)
    with torch.no_grad():
        no_grad = enc(frames)
    with_grad = enc(frames)
    assert with_grad.requires_grad
    assert torch.equal(no_grad, with_grad.detach())

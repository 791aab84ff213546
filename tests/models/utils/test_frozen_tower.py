"""The one freezing mechanism: requires_grad, set once, kept by train()."""
def test_unfreezing_survives_train_mode():
    """One freezing mechanism: a tower made trainable by the stage-2
    patterns stays trainable through model.train()."""
    from tiny_clip import TINY_ARCH

    from umbe.models import CLIPVisionEncoder
    from umbe.models.utils import set_trainable_by_patterns
    enc = CLIPVisionEncoder(model_name='tiny', arch_cfg=TINY_ARCH)
    assert enc.frozen and not enc.tower.training
    enc.train()
    assert not enc.tower.training  # frozen: eval mode kept
    started = set_trainable_by_patterns(enc, trainable=['^tower\\.'])
    assert len(started) == len(list(enc.parameters()))
    enc.train()
    assert not enc.frozen and enc.tower.training
    assert all(p.requires_grad for p in enc.parameters())
    set_trainable_by_patterns(enc, frozen=['.'])
    enc.train()
    assert enc.frozen and not enc.tower.training

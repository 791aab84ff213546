# The zero-shot code path on the demo data with the demo's tiny RANDOM
# towers (umbenet_demo.py's `tiny_clip`): it runs in seconds without a
# download and shows the commands (tools/test.py THIS_FILE none;
# tools/infer.py THIS_FILE none VIDEO), but its scores mean nothing. The
# real baseline (OpenAI ViT-L/14): zero_shot_clip_{dfew,ferv39k,mafw}.py.
_base_ = ['../umbenet_demo.py']

model = dict(
    _delete_=True,
    type='ZeroShotCLIP',
    classes={{_base_.classes}},
    allow_random_towers=True,
    vision_encoder=dict(
        type='CLIPVisionEncoder',
        model_name='demo-tiny',
        arch_cfg={{_base_.tiny_clip}},
        pretrained=None),
    head=dict(
        type='ZeroShotHead',
        text_encoder=dict(
            type='CLIPTextEncoder',
            model_name='demo-tiny',
            arch_cfg={{_base_.tiny_clip}},
            pretrained=None)))

# BASELINE, not UMBEnet: CLIP zero-shot emotion readout, no training, no
# checkpoint (tools/test.py CONFIG none). OpenAI ViT-L/14 image and text
# towers (`pretrained='openai'`, resolved through open_clip's cache, as the
# UMBEnet configs); face frames against the template-averaged class texts
# (umbe/models/heads/zero_shot_head.py, FACE_TEMPLATES); no prompt pool, no
# audio, no caption in the logits. Leaf configs pass the dataset's classes:
#   model = dict(classes={{_base_.classes}})
clip_model = 'ViT-L-14-quickgelu'

model = dict(
    type='ZeroShotCLIP',
    classes=None,
    data_preprocessor=dict(type='MultimodalEmotionPreprocessor'),
    vision_encoder=dict(
        type='CLIPVisionEncoder',
        model_name=clip_model,
        pretrained='openai',
        frozen=True),
    head=dict(
        type='ZeroShotHead',
        text_encoder=dict(
            type='CLIPTextEncoder',
            model_name=clip_model,
            pretrained='openai',
            frozen=True),
        logit_scale=100.0))

test_cfg = dict(type='TestLoop')
val_cfg = dict(type='ValLoop')

# UMBEnet at the paper's / public code's sizes (SPEC.md "Architecture").
# CLIP weights: set `pretrained` of the three towers to local files, e.g.
#   vision/head text: ViT-L-14 OpenAI weights (open_clip name
#   'ViT-L-14-quickgelu'); caption text: ViT-B-32 OpenAI weights.
# `classes` comes from the dataset base config: leaf configs write
#   model = dict(classes={{_base_.classes}})
# The width (embed_dim) and the clip length (clip_len) are stated once, here
# on the recognizer; UMBEnet passes them to the children that need them.
model = dict(
    type='UMBEnet',
    classes=None,
    embed_dim=768,
    clip_len=16,
    data_preprocessor=dict(type='MultimodalEmotionPreprocessor'),
    vision_encoder=dict(
        type='CLIPVisionEncoder',
        model_name='ViT-L-14-quickgelu',
        pretrained=None,
        frozen=True),
    audio_encoder=dict(type='RawAudioEncoder'),
    caption_encoder=dict(
        type='CaptionEncoder',
        text_encoder=dict(
            type='CLIPTextEncoder',
            model_name='ViT-B-32-quickgelu',
            pretrained=None,
            frozen=True)),
    face_scene=dict(type='FaceSceneLSTM'),
    temporal=dict(type='TemporalTransformer', num_layers=12, num_heads=8),
    fusion=dict(type='ModalityFusionTransformer', num_layers=12, num_heads=8),
    head=dict(
        type='DualStreamHead',
        text_encoder=dict(
            type='CLIPTextEncoder',
            model_name='ViT-L-14-quickgelu',
            pretrained=None,
            frozen=True),
        prompt_pool=dict(
            type='PromptPool', pool_size=32, prompt_length=32, top_k=5),
        inherent_prompts=dict(type='InherentPrompts', num_tokens=32),
        sparse_fusion=dict(type='SparseFeatureFusion', l1_weight=0.01),
        logit_scale=100.0),
    key_match_weight=1.0)

# UMBEnet at the paper's / public code's sizes (SPEC.md "Architecture").
# CLIP weights: the paper's OpenAI weights, `pretrained='openai'` on the
# three towers (ViT-L-14 image + text, ViT-B-32 text), resolved through
# open_clip's download cache (offline: the error names the file to fetch and
# where to put it). A local file path works too. Frozen towers with
# pretrained=None stop the run unless model.allow_random_towers=True.
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
        pretrained='openai',
        frozen=True),
    audio_encoder=dict(type='RawAudioEncoder'),
    caption_encoder=dict(
        type='CaptionEncoder',
        text_encoder=dict(
            type='CLIPTextEncoder',
            model_name='ViT-B-32-quickgelu',
            pretrained='openai',
            frozen=True)),
    face_scene=dict(type='FaceSceneLSTM'),
    temporal=dict(type='TemporalTransformer', num_layers=12, num_heads=8),
    fusion=dict(type='ModalityFusionTransformer', num_layers=12, num_heads=8),
    head=dict(
        type='DualStreamHead',
        text_encoder=dict(
            type='CLIPTextEncoder',
            model_name='ViT-L-14-quickgelu',
            pretrained='openai',
            frozen=True),
        prompt_pool=dict(
            type='PromptPool', pool_size=32, prompt_length=32, top_k=5),
        inherent_prompts=dict(type='InherentPrompts', num_tokens=32),
        sparse_fusion=dict(type='SparseFeatureFusion', l1_weight=0.01),
        logit_scale=100.0),
    key_match_weight=1.0)

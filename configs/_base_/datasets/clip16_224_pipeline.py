# Full-size data pipelines of UMBEnet (SPEC): 16 frames of 224x224 face and
# scene, mono audio at 22.05 kHz padded/cut to 5 s, 77 caption tokens.
# The real-dataset configs inherit these and add their dataloaders.
clip_len = 16
face_size = 224
scene_size = 224
audio_rate = 22050
audio_duration = 5.0
caption_length = 77

train_pipeline = [
    dict(
        type='LoadFaceSceneFrames',
        clip_len=clip_len,
        face_size=face_size,
        scene_size=scene_size),
    dict(type='LoadAudio', sample_rate=audio_rate, duration=audio_duration),
    dict(type='TokenizeCaption', context_length=caption_length),
    dict(type='PackMultimodalInputs'),
]
val_pipeline = train_pipeline
test_pipeline = train_pipeline

# The bundled demo dataset (tools/data/make_demo_dataset.py writes it to
# data/demo): 7 classes in DFEW's order, split between face and sound, at a
# size that trains on 2 CPU cores.
_base_ = ['./multimodal_emotion.py']

data_root = 'data/demo'
classes = ('happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust', 'fear')
metainfo = dict(classes=classes)

clip_len = 8
face_size = 32
scene_size = 32
audio_rate = 8000
audio_duration = 2.0
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

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    dataset=dict(
        data_root=data_root, metainfo=metainfo, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    dataset=dict(
        data_root=data_root, metainfo=metainfo, pipeline=val_pipeline))
test_dataloader = dict(
    batch_size=16,
    num_workers=2,
    dataset=dict(
        data_root=data_root, metainfo=metainfo, pipeline=test_pipeline))

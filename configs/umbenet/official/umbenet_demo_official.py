# The official preset's model (configs/_base_/models/umbenet_official.py:
# the public code's arithmetic) at the demo's size, on the demo data: a
# self-contained check that the switches train (tests/test_official_
# preset_learns.py). The demo recipe stays (its modality dropout, schedule
# and tiny random towers); only the model's components change.
_base_ = ['../umbenet_demo.py']

audio_rate = 8000  # the demo pipeline's LoadAudio (configs/_base_/datasets/
audio_duration = 2.0  # demo.py); FlattenAudioEncoder needs the length

model = dict(
    key_match_weight=0.0,
    # 8 kHz x 2 s = 16,000 samples: 4 layers (k15, s5, p1) leave 64 x 23
    audio_encoder=dict(
        _delete_=True,
        type='FlattenAudioEncoder',
        num_samples=int(audio_rate * audio_duration),
        channels=(16, 32, 64, 64),
        hidden_dims=(256, )),
    face_scene=dict(type='ResidualFaceSceneLSTM'),
    temporal=dict(type='MeanPoolTemporalTransformer'),
    fusion=dict(type='MeanPoolFusionTransformer'),
    head=dict(
        type='StatefulDualStreamHead',
        prompt_pool=dict(type='BatchQueryPromptPool', key_init_std=0.02),
        sparse_fusion=dict(type='WeightL1SparseFeatureFusion')))

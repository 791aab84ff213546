# FERV39k, the fixed All_scenes split (31,088 train / 7,847 test); val is
# carved from train_All. Video only: the release has no audio.
# Prepare with: python tools/data/ferv39k/prepare.py RELEASE_ROOT data/ferv39k
_base_ = ['./multimodal_emotion.py']

data_root = 'data/ferv39k/'
# The class list, written once: label ids, prompts, metrics and plots.
classes = ('happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust', 'fear')
metainfo = dict(classes=classes)
# named when an annotation file is missing
prepare_command = ('python tools/data/ferv39k/prepare.py RELEASE_ROOT '
                   'data/ferv39k')
dataset = dict(
    data_root=data_root, metainfo=metainfo, prepare_command=prepare_command)

train_dataloader = dict(dataset=dataset)
val_dataloader = dict(dataset=dataset)
test_dataloader = dict(dataset=dataset)

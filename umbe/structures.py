"""Names shared by the data pipeline and the models."""

#: The modalities a sample can carry, in the order used for presence masks,
#: fusion tokens and result tables. ``face`` = aligned face frames, ``scene``
#: = full frames of the clip, ``audio`` = the waveform, ``caption`` = text.
MODALITIES = ('face', 'scene', 'audio', 'caption')

from .data_preprocessors import *  # noqa: F401,F403
from .encoders import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .necks import *  # noqa: F401,F403
from .prompts import *  # noqa: F401,F403
from .recognizers import *  # noqa: F401,F403
from .utils import *  # noqa: F401,F403

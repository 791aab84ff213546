from .config_utils import check_cfg_options
from .cpu_threads import setup_cpu_threads
from .dist_utils import setup_distributed
from .setup_env import register_all_modules

__all__ = [
    'register_all_modules', 'setup_distributed', 'check_cfg_options',
    'setup_cpu_threads'
]

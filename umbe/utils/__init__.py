from .config_utils import check_cfg_options
from .data_check import check_annotation_files
from .cpu_threads import setup_cpu_threads
from .dist_utils import distributed_run, setup_distributed
from .setup_env import register_all_modules
from .tool_errors import USER_ERRORS, exit_on_user_error

__all__ = [
    'register_all_modules', 'setup_distributed', 'distributed_run', 'check_cfg_options',
    'setup_cpu_threads', 'exit_on_user_error', 'USER_ERRORS',
    'check_annotation_files'
]

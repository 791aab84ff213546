"""Registration of all umbe modules and the default scope."""
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every umbe package so that its components are registered.

    Args:
        init_default_scope (bool): Whether to set the default scope to
            ``'umbe'``. Defaults to True.
    """
    import umbe.datasets  # noqa: F401
    import umbe.engine  # noqa: F401
    import umbe.evaluation  # noqa: F401
    import umbe.models  # noqa: F401

    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None or not DefaultScope.check_instance_created('umbe'):
        DefaultScope.get_instance('umbe', scope_name='umbe')
    elif current.scope_name != 'umbe':
        warnings.warn(f'The current default scope "{current.scope_name}" is '
                      'not "umbe"; register_all_modules sets it to "umbe".')
        DefaultScope.get_instance(f'umbe-{datetime.datetime.now()}',
                                  scope_name='umbe')

"""Plain Python values from numpy/pandas ones: the one converter for JSON, metadata and reports."""

import math
from collections.abc import Mapping
from typing import Any


def plain(value: Any) -> Any:
    """A JSON-able value: numpy/pandas scalars become Python ones, NaN/inf/NA/NaT become None,
    mappings and sequences are converted element by element, paths and timestamps become text.

    >>> import numpy as np
    >>> plain({"a": np.float64(1.5), "b": [np.int64(2), float("nan")]})
    {'a': 1.5, 'b': [2, None]}
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if hasattr(value, "isoformat"):
        try:
            import pandas as pd

            if value is pd.NaT:
                return None
        except ImportError:  # pragma: no cover - pandas is a dependency
            pass
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, bytes):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, int):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError, ImportError):
        pass
    return str(value) if not isinstance(value, (int, float)) else value

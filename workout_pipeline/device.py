"""Which torch device trains the model: the one rule for "auto" and for unavailable CUDA."""

from workout_pipeline.errors import InputError


def resolve_device(device: str = "auto") -> str:
    """"auto" is CUDA when present, else CPU; an explicit CUDA device must exist.

    Raises:
        InputError: CUDA was asked for but is not available, or the name is not a torch device.
    """
    import torch

    name = (device or "auto").strip().lower()
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        torch.device(name)
    except (RuntimeError, ValueError):
        raise InputError(f"device {device!r} is not a torch device (auto, cpu, cuda, cuda:N)") from None
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise InputError(f"device {device!r} requested but CUDA is not available")
    return name

"""Turn an uploaded picture (a PNG or JPEG data URL) into the 28×28 input MNIST networks read."""

from __future__ import annotations

import base64
import binascii
import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from engine.data import to_mnist_28

FORMATS = ("PNG", "JPEG")


class ImageError(ValueError):
    """The image data cannot be used; the message says why, for the client."""


def decode_data_url(url: str, max_pixels: int) -> np.ndarray:
    """A `data:image/...;base64,` URL as a 2-D float32 grayscale array in 0..1."""
    header, comma, payload = url.partition(",")
    if not comma or not header.startswith("data:image/") or not header.endswith(";base64"):
        raise ImageError("expected a data URL such as data:image/png;base64,iVBORw0...")
    try:
        raw = base64.b64decode(payload.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise ImageError("the data URL's base64 payload is not valid base64") from None
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(raw))
            _check(image, max_pixels)
            image.load()
            return _gray(ImageOps.exif_transpose(image))
        except ImageError:
            raise
        except UnidentifiedImageError:
            raise ImageError("the data is not a PNG or JPEG image") from None
        except (OSError, SyntaxError, ValueError,
                Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise ImageError(f"the image data cannot be decoded: {exc}") from None


def _check(image: Image.Image, max_pixels: int) -> None:
    if image.format not in FORMATS:
        raise ImageError(f"{image.format} images are not supported: send PNG or JPEG")
    width, height = image.size
    if width * height > max_pixels:
        raise ImageError(
            f"the image is {width}×{height}: over this server's limit "
            f"max_image_pixels = {max_pixels}"
        )


def _gray(image: Image.Image) -> np.ndarray:
    """Grayscale 0..1; transparent pixels become a paper colour that contrasts with the ink."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        alpha = np.asarray(rgba.getchannel("A"))
        if alpha.min() < 255:
            ink = np.asarray(rgba.convert("L"))[alpha > 127]
            paper = 255 if ink.size == 0 or ink.mean() < 128 else 0
            background = Image.new("RGBA", rgba.size, (paper, paper, paper, 255))
            image = Image.alpha_composite(background, rgba)
    return np.asarray(image.convert("L"), dtype=np.float32) / 255.0


def image_to_mnist(url: str, max_pixels: int) -> np.ndarray:
    """The (28, 28) MNIST-like picture of a digit drawn or photographed in any size and polarity."""
    return to_mnist_28(decode_data_url(url, max_pixels))

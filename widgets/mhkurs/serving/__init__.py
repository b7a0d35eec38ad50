"""Serving the course to many visitors: kernel caps, an overload page and the culling of unused kernels."""

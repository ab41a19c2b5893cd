# SPDX-License-Identifier: GPL-2.0-or-later
"""Python helpers shared by the demo and the benchmarks (stdlib only)."""

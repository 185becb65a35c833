"""The receiver role: the integrator's endpoint as a target, the suite the toolkit runs against it, the reference."""

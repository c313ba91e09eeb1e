"""Small widgets of the wizard, one module each (imported by the screens)."""

"""The Textual shell: screens that render engine state and turn keys into commands."""

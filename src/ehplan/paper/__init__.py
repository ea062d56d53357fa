"""Paper and pictures: printable playbook cards, blank incident forms and the
playbooks drawn as flowcharts, all built from the same validated playbooks so
that what is printed cannot drift from what the screen says."""

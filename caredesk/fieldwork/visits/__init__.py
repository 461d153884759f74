"""Site visits (上站): who may plan and record them (policy), the verbs that change them
(services), and the reads the pages, the API and the hand-over report share (selectors)."""

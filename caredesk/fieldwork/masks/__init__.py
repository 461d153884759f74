"""Alarm-masking rules (告警屏蔽规则): policy, selectors, services, and the Alertmanager they are
enforced in front of."""

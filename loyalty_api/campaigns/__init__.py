"""The campaign family: campaigns, their rewards and buyx items, lists, the archive.

Rule modules are named after what they hold (``rules``, ``creation``, ``lists``, ``archive``, ``access``,
``rewards``); handler modules after the calls they answer (``campaign_update``, ``campaigns_list``, ...), each
handler function after its call (``campaign_new_reward`` answers ``type=campaign_new``, ``action=reward``).
"""

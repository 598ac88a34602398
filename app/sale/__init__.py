"""Flash sales (秒杀): the show's products, the relay's clock, stock that is never wrong."""
